"""The shared kit: helpers every provider uses and none of them owns."""
