"""Models: topic classification and grant probability, and saving/loading them."""
