"""OneRoof: one-stop government service centers."""
