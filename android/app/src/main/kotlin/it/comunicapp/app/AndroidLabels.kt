package it.comunicapp.app

import android.content.Context
import it.comunicapp.ui.Labels

/**
 * The screens' texts from the generated string resources (copy/app.toml → values/strings.xml),
 * looked up by the same key names the tests read from the same files. `getString(id)` without
 * arguments keeps the `%1$s` placeholders for the screens to fill.
 */
fun androidLabels(context: Context): Labels {
    val resources = context.resources
    return Labels { key ->
        val id = resources.getIdentifier(key, "string", context.packageName)
        check(id != 0) { "no string resource '$key': run make copy" }
        resources.getString(id)
    }
}
