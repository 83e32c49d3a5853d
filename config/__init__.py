"""gaoxin's data files, shipped as the package `gaoxin_config`; read only by annotate/vocab.py."""
