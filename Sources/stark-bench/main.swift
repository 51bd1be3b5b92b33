import STARK
print(Felt.twoAdicRoot)
