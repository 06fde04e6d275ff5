from portal.duties import bp  # noqa: F401  (views arrive with the duties issue)
