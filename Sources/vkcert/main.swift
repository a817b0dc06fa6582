print("vkcert")
