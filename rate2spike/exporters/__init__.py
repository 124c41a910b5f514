"""Take a converted LIF network elsewhere: a NIR graph (:mod:`.nir_export`, with a NumPy
interpreter of such graphs in :mod:`.nir_interpreter`) or a self-contained Brian2 script
(:mod:`.brian2_script`)."""
