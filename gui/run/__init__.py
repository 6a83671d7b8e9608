"""The run and model layer: the step player, the data model, background tasks."""
