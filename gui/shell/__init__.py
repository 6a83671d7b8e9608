"""The application shell: the main window, menus, dialogs, settings, sessions, render."""
