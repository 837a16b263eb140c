"""Blueprints: one module (or package) per area of the app."""
