"""The offline run: the deployed state machine on an embedded AWS (moto), on this machine.

Every deployable runs from this checkout; importing :mod:`workflow` put their source folders on
``sys.path``.
"""
