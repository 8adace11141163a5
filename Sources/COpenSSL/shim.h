// OpenSSL 3 libcrypto (Debian libssl-dev), for SNMPSecurity's DES-CBC and SHA-224 only.
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/err.h>
