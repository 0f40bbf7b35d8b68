package it.comunicapp.ui

import androidx.compose.foundation.layout.Box
import androidx.compose.material3.LocalTextStyle
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableFloatStateOf
import androidx.compose.runtime.setValue
import androidx.compose.foundation.layout.PaddingValues
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.widthIn
import androidx.compose.material3.DropdownMenu
import androidx.compose.material3.DropdownMenuItem
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.IconButton
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.NavigationBar
import androidx.compose.material3.NavigationBarItem
import androidx.compose.material3.NavigationRail
import androidx.compose.material3.NavigationRailItem
import androidx.compose.material3.Scaffold
import androidx.compose.material3.SnackbarHost
import androidx.compose.material3.SnackbarHostState
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.material3.TopAppBar
import androidx.compose.runtime.Composable
import androidx.compose.runtime.remember
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.style.TextOverflow
import androidx.compose.ui.unit.dp
import it.comunicapp.core.ffi.ProfileInfo

enum class Tab { SALDO, PAGAMENTI, CONTATTI }

/** The profile switcher in the top bar: the profiles on the device and the active one. */
data class ProfilesBar(
    val profiles: List<ProfileInfo>,
    val activeProfileId: String?,
    val menuOpen: Boolean,
) {
    val active: ProfileInfo? get() = profiles.firstOrNull { it.profileId == activeProfileId }
}

fun ProfileInfo.displayName(): String = listOfNotNull(parentName, comuneName).joinToString(" · ")

/**
 * The app's chrome around every screen: the top bar (title, back, profile switcher), and the
 * tabs at the bottom on a phone or in a rail at the side from [TwoPaneMinWidth].
 */
@OptIn(ExperimentalMaterial3Api::class)
@Composable
fun AppFrame(
    labels: Labels,
    wide: Boolean,
    title: String,
    tab: Tab?,
    onTab: (Tab) -> Unit,
    onBack: (() -> Unit)?,
    profiles: ProfilesBar?,
    onProfileMenu: (Boolean) -> Unit,
    onSwitchProfile: (ProfileInfo) -> Unit,
    onAddProfile: () -> Unit,
    snackbar: SnackbarHostState = remember { SnackbarHostState() },
    content: @Composable (PaddingValues) -> Unit,
) {
    Scaffold(
        topBar = {
            TopAppBar(
                title = { OneLine(title) },
                navigationIcon = {
                    if (onBack != null) {
                        IconButton(onClick = onBack, modifier = Modifier.semantics { contentDescription = labels.a11yIndietro }) {
                            Text("←", style = MaterialTheme.typography.titleLarge)
                        }
                    }
                },
                actions = { if (profiles != null) ProfileSwitcher(labels, profiles, onProfileMenu, onSwitchProfile, onAddProfile) },
            )
        },
        bottomBar = {
            if (tab != null && !wide) {
                NavigationBar {
                    for (t in Tab.entries) {
                        NavigationBarItem(
                            selected = t == tab,
                            onClick = { onTab(t) },
                            icon = { Text(t.glyph, style = MaterialTheme.typography.titleLarge) },
                            label = { OneLine(t.label(labels)) },
                        )
                    }
                }
            }
        },
        snackbarHost = { SnackbarHost(snackbar) },
    ) { padding ->
        if (tab != null && wide) {
            Row(Modifier.fillMaxSize().padding(padding)) {
                NavigationRail {
                    for (t in Tab.entries) {
                        NavigationRailItem(
                            selected = t == tab,
                            onClick = { onTab(t) },
                            icon = { Text(t.glyph, style = MaterialTheme.typography.titleLarge) },
                            label = { OneLine(t.label(labels)) },
                        )
                    }
                }
                Box(Modifier.weight(1f)) { content(PaddingValues()) }
            }
        } else {
            Box(Modifier.fillMaxSize().padding(padding)) { content(PaddingValues()) }
        }
    }
}

/**
 * A title or a tab's name on one line: at large font scales it shrinks until it fits its slot
 * rather than break mid-word ("Pagament / i") or lose its end to an ellipsis ("Effettua una r…").
 * (Compose 1.8's TextAutoSize does this; the Android app's Compose 1.7 does not have it.)
 */
@Composable
private fun OneLine(text: String) {
    val style = LocalTextStyle.current
    var scale by remember(text) { mutableFloatStateOf(1f) }
    Text(
        text,
        maxLines = 1,
        softWrap = false,
        fontSize = style.fontSize * scale,
        onTextLayout = { layout -> if (layout.hasVisualOverflow && scale > 0.5f) scale *= 0.9f },
    )
}

// Drawn with DejaVu's own symbols: the app ships no icon font.
private val Tab.glyph: String
    get() = when (this) {
        Tab.SALDO -> "€"
        Tab.PAGAMENTI -> "☰"
        Tab.CONTATTI -> "☎"
    }

fun Tab.label(labels: Labels): String = when (this) {
    Tab.SALDO -> labels.tabSaldo
    Tab.PAGAMENTI -> labels.tabPagamenti
    Tab.CONTATTI -> labels.tabContatti
}

@Composable
private fun ProfileSwitcher(
    labels: Labels,
    bar: ProfilesBar,
    onMenu: (Boolean) -> Unit,
    onSwitch: (ProfileInfo) -> Unit,
    onAdd: () -> Unit,
) {
    Box {
        val active = bar.active
        TextButton(
            onClick = { onMenu(true) },
            modifier = Modifier.widthIn(max = 180.dp).testTag(Tags.PROFILE_MENU).semantics {
                contentDescription = active?.let { labels.profiloAttivo(it.displayName()) } ?: labels.profiloCambia
            },
        ) {
            Text(active?.comuneName ?: labels.profiloCambia, maxLines = 1, overflow = TextOverflow.Ellipsis)
            Text(" ▾")
        }
        DropdownMenu(expanded = bar.menuOpen, onDismissRequest = { onMenu(false) }) {
            Text(labels.profiliTitle, style = MaterialTheme.typography.labelLarge, modifier = Modifier.padding(horizontal = 16.dp, vertical = 8.dp))
            for (profile in bar.profiles) {
                DropdownMenuItem(
                    text = { Text(profile.displayName()) },
                    leadingIcon = { Text(if (profile.profileId == bar.activeProfileId) "✓" else " ") },
                    onClick = { onSwitch(profile) },
                )
            }
            HorizontalDivider()
            DropdownMenuItem(text = { Text(labels.profiloAggiungi) }, leadingIcon = { Text("+") }, onClick = onAdd)
        }
    }
}
