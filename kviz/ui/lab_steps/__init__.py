"""The five guided steps of the reference lab, one module each."""
