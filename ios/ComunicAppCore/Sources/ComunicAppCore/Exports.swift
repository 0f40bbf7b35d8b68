// The app imports ComunicAppCore alone; the generated records, functions and ApiError come with it.
@_exported import ComunicAppFFI
