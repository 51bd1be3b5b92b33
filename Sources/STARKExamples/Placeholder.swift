import STARK
