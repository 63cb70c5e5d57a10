"""Demo mode: the demo accounts and the demo plans of Hưng Yên (province 33)."""
