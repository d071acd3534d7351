"""The `malux` console command."""
