package it.comunicapp.ui

import it.comunicapp.core.ffi.ApiException
import it.comunicapp.core.ffi.ComunicApp
import it.comunicapp.core.ffi.DraftAction
import it.comunicapp.core.ffi.DraftView
import it.comunicapp.core.ffi.PaymentMode
import it.comunicapp.core.ffi.PresetView
import it.comunicapp.core.ffi.RicaricaOptions
import it.comunicapp.core.ffi.RicaricaStep
import it.comunicapp.core.ffi.RicaricaView
import it.comunicapp.core.ffi.Riepilogo
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock

/** The change-email dialog while it is open: what is typed, the core's error, a save in flight. */
data class EmailDialogState(val text: String, val error: String? = null, val saving: Boolean = false)

/**
 * The Ricarica screens before and at PROSEGUI. [draft] is the core's stored draft (its step,
 * amounts, total label), [options] the ente's presets, services and the e-mail check,
 * [riepilogo] the core's summary at the Riepilogo step. The rest is what the screen holds itself.
 */
data class RicaricaState(
    val options: RicaricaOptions? = null,
    val draft: DraftView? = null,
    val riepilogo: Riepilogo? = null,
    val customText: String = "",
    val customError: String? = null,
    val serviceMenuOpen: Boolean = false,
    val emailDialog: EmailDialogState? = null,
    val busy: Boolean = false,
    val error: ShownError? = null,
    /** PROSEGUI went through: online, open its checkout; avviso, show it. */
    val submitted: RicaricaView? = null,
) {
    val loading: Boolean get() = options == null || draft == null

    /** The ente's preset amounts, once each, in the order the core gives them. */
    val presets: List<PresetView>
        get() = options?.children.orEmpty().flatMap { c -> c.services.flatMap { it.presets } }
            .distinctBy { it.amountCents }

    val payerEmail: String get() = draft?.payerEmail ?: options?.payerEmail.orEmpty()

    fun childName(childId: String): String =
        options?.children?.firstOrNull { it.childId == childId }?.name ?: childId
}

sealed interface RicaricaEvent {
    data class ChoosePreset(val cents: Long) : RicaricaEvent
    data class CustomTextChanged(val text: String) : RicaricaEvent
    data class ServiceMenu(val open: Boolean) : RicaricaEvent
    data class AddItem(val childId: String, val serviceCode: String) : RicaricaEvent
    data class RemoveItem(val childId: String, val serviceCode: String) : RicaricaEvent
    data object ConfirmCart : RicaricaEvent
    data object OpenEmailDialog : RicaricaEvent
    data class EmailTextChanged(val text: String) : RicaricaEvent
    data object SaveEmail : RicaricaEvent
    data object DismissEmailDialog : RicaricaEvent
    data class ChooseMode(val mode: PaymentMode) : RicaricaEvent
    data object Back : RicaricaEvent
    data object Prosegui : RicaricaEvent
    data object Retry : RicaricaEvent
}

/**
 * Turns the parent's taps into the core's [DraftAction]s. The core stores the draft before it
 * answers, so closing the app at any step and coming back finds the draft where it was; every
 * rule (limits, e-mail, cart size, which step may follow which) is the core's, and a refused tap
 * comes back as its error and changes nothing.
 */
class RicaricaPresenter(
    private val app: ComunicApp,
    private val childIds: List<String>,
    private val scope: CoroutineScope,
) {
    private val mutableState = MutableStateFlow(RicaricaState())
    val state: StateFlow<RicaricaState> = mutableState.asStateFlow()

    // One core call at a time, in the order of the taps.
    private val mutex = Mutex()

    fun start(): Job = scope.launch { load() }

    private suspend fun load() = serial {
        val options = app.ricaricaOptions(childIds)
        val draft = app.ricaricaDraft()
        mutableState.update { it.copy(options = options, draft = draft, error = null) }
        refreshRiepilogo(draft)
    }

    fun onEvent(event: RicaricaEvent) {
        when (event) {
            is RicaricaEvent.ChoosePreset -> scope.launch {
                mutableState.update { it.copy(customText = "", customError = null) }
                apply(DraftAction.ChoosePreset(event.cents))
            }
            is RicaricaEvent.CustomTextChanged -> {
                mutableState.update { it.copy(customText = event.text, customError = null) }
                // Checked by the core as the parent types; an empty field is no answer yet.
                if (event.text.isNotBlank()) scope.launch { applyCustom(event.text) }
            }
            is RicaricaEvent.ServiceMenu -> mutableState.update { it.copy(serviceMenuOpen = event.open) }
            is RicaricaEvent.AddItem -> scope.launch {
                mutableState.update { it.copy(serviceMenuOpen = false) }
                apply(DraftAction.AddItem(event.childId, event.serviceCode))
            }
            is RicaricaEvent.RemoveItem -> scope.launch { apply(DraftAction.RemoveItem(event.childId, event.serviceCode)) }
            RicaricaEvent.ConfirmCart -> scope.launch { apply(DraftAction.ConfirmCart(state.value.payerEmail)) }
            RicaricaEvent.OpenEmailDialog -> mutableState.update { it.copy(emailDialog = EmailDialogState(it.payerEmail)) }
            is RicaricaEvent.EmailTextChanged -> mutableState.update { s ->
                s.copy(emailDialog = s.emailDialog?.copy(text = event.text, error = null))
            }
            RicaricaEvent.DismissEmailDialog -> mutableState.update { it.copy(emailDialog = null) }
            RicaricaEvent.SaveEmail -> scope.launch { saveEmail() }
            is RicaricaEvent.ChooseMode -> scope.launch { chooseMode(event.mode) }
            RicaricaEvent.Back -> scope.launch { apply(DraftAction.Back) }
            RicaricaEvent.Prosegui -> scope.launch { prosegui() }
            RicaricaEvent.Retry -> scope.launch { load() }
        }
    }

    /** The parent gives up: the next Ricarica starts from an empty draft. */
    suspend fun discard() = apply(DraftAction.Discard)

    private suspend fun apply(action: DraftAction) = serial {
        val draft = app.ricaricaDraftApply(action)
        mutableState.update { it.copy(draft = draft, error = null) }
        refreshRiepilogo(draft)
    }

    private suspend fun applyCustom(text: String) {
        mutex.withLock {
            // A later keystroke already replaced this text: its own call will answer.
            if (state.value.customText != text) return
            try {
                val draft = app.ricaricaDraftApply(DraftAction.ChooseCustom(text))
                mutableState.update { if (it.customText == text) it.copy(draft = draft, customError = null) else it }
            } catch (e: ApiException) {
                mutableState.update { if (it.customText == text) it.copy(customError = e.shown().message) else it }
            }
        }
    }

    private suspend fun saveEmail() {
        val dialog = state.value.emailDialog ?: return
        mutableState.update { it.copy(emailDialog = dialog.copy(saving = true, error = null)) }
        mutex.withLock {
            try {
                val saved = app.changeEmail(dialog.text)
                val draft = app.ricaricaDraftApply(DraftAction.ChangeEmail(saved))
                val options = app.ricaricaOptions(childIds)
                mutableState.update { it.copy(options = options, draft = draft, emailDialog = null, error = null) }
            } catch (e: ApiException) {
                mutableState.update { it.copy(emailDialog = dialog.copy(saving = false, error = e.shown().message)) }
            }
        }
    }

    /** The sheet puts the e-mail check and the two modes on one page: a mode confirms the mail. */
    private suspend fun chooseMode(mode: PaymentMode) = serial {
        if (state.value.draft?.step == RicaricaStep.CHECKING_EMAIL) {
            mutableState.update { it.copy(draft = app.ricaricaDraftApply(DraftAction.ConfirmEmail)) }
        }
        val draft = app.ricaricaDraftApply(DraftAction.ChooseMode(mode))
        mutableState.update { it.copy(draft = draft, error = null) }
        refreshRiepilogo(draft)
    }

    private suspend fun prosegui() = serial {
        val submitted = app.submit()
        val draft = app.ricaricaDraft()
        mutableState.update { it.copy(submitted = submitted, draft = draft, riepilogo = null, error = null) }
    }

    private suspend fun refreshRiepilogo(draft: DraftView) {
        val riepilogo = if (draft.step == RicaricaStep.RIEPILOGO) app.riepilogo() else null
        mutableState.update { it.copy(riepilogo = riepilogo) }
    }

    /** Runs one step of the flow after the previous one, showing the core's error if refused. */
    private suspend fun serial(block: suspend () -> Unit) {
        mutex.withLock {
            mutableState.update { it.copy(busy = true) }
            try {
                block()
            } catch (e: ApiException) {
                mutableState.update { it.copy(error = e.shown()) }
            } finally {
                mutableState.update { it.copy(busy = false) }
            }
        }
    }
}
