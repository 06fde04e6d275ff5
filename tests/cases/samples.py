"""Sample URL arguments for the cases area's parameterised GET routes (none yet: pages come next)."""
SAMPLES: dict = {}
