"""Small shared helpers every feature may import."""
