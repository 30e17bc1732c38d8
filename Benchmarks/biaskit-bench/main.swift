import BiasKit
print("biaskit-bench: no jobs yet")
