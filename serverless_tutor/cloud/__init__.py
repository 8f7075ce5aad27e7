"""The local AWS account: moto-backed services, event routing, stack loading and the HTTP front."""
