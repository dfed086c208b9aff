"""What commands ask for, below the command line: select providers, collect reports, describe state.

Each module is imported only by the commands that need it; nothing here prints or exits.
"""
