"""Drift: where a live database differs from what the migrations declare.

``diff`` compares two models; ``rules`` turns differences into findings;
``reconcile`` writes the script that would remove them; ``run`` is the use case.
"""
