"""Small shared helpers every feature may import (errors, time, text, PDF)."""
