/* allow-authorizer — the cheapest possible FastCGI authorizer: every request is
 * allowed with a fixed REMOTE_USER. The end-to-end benchmark puts it in front of
 * the same file as the guard to measure the ceiling any authorizer can reach on
 * the server; the guard's target is 90 % of it. Never use it anywhere else.
 *
 * With the argument `aes` it also does, per request, the floor of a v4 check:
 * one AES-256-GCM decryption of a 330-byte buffer (EVP, key set up once) — what
 * any guard built on OpenSSL pays at least, cold caches included. */
#include <string.h>

#include <fcgiapp.h>
#include <openssl/evp.h>

int main(int argc, char **argv)
{
    FCGX_Request req;
    static const char allow[] = "Status: 200 OK\r\nVariable-REMOTE_USER: bench\r\n\r\n";
    static unsigned char key[32], iv[12], tag[16], ct[330], pt[330];
    int aes = argc > 1 && strcmp(argv[1], "aes") == 0;
    EVP_CIPHER_CTX *c = NULL;
    if (aes) { /* encrypt once to get a ciphertext and tag that decrypt */
        int n;
        if ((c = EVP_CIPHER_CTX_new()) == NULL ||
            EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, iv) != 1 ||
            EVP_EncryptUpdate(c, ct, &n, pt, sizeof pt) != 1 ||
            EVP_EncryptFinal_ex(c, ct + n, &n) != 1 ||
            EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag) != 1 ||
            EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, NULL) != 1)
            return 1;
    }
    if (FCGX_Init() != 0 || FCGX_InitRequest(&req, 0, 0) != 0)
        return 1;
    while (FCGX_Accept_r(&req) >= 0) {
        int n;
        if (aes && (EVP_DecryptInit_ex(c, NULL, NULL, NULL, iv) != 1 ||
                    EVP_DecryptUpdate(c, pt, &n, ct, sizeof ct) != 1 ||
                    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, tag) != 1 ||
                    EVP_DecryptFinal_ex(c, pt + n, &n) != 1)) {
            FCGX_PutS("Status: 500 Internal Server Error\r\n\r\n", req.out);
        } else {
            FCGX_PutStr(allow, sizeof allow - 1, req.out);
        }
        FCGX_Finish_r(&req);
    }
    return 0;
}
