"""Mean shift in the window: windows of radius h climbing to the modes."""
