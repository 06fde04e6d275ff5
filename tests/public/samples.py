"""The public area's parameterised routes are public (a tracking code in the URL): their own tests
cover them, so the access test needs no samples."""
SAMPLES: dict = {}
