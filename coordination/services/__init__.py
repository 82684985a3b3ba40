"""Write services of the coordination app's mechanisms (`<thing>_<verb>`, keyword-only, atomic)."""
