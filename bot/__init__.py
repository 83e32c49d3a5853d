"""The command line and (later) the chat bot. Top of the import graph: bot → annotate → store."""
