// Workstation build of the Android app (Gradle is not available on the test machines; the Kotlin
// layer is tested there with Maven: core-kotlin/pom.xml, scripts/kotlin-test.sh).
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}
dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}
rootProject.name = "ComunicApp"
include(":app")
