/*
 * fuzz-sshsig — what a hostile repository hands the signature checks
 * (sync/sign.c, sync/key.c, sync/enroll.c): the armored SSHSIG in a
 * commit's gpgsig header, public key lines, allowed_signers text.
 *
 * The first byte picks the reader, the rest is its input. These trap:
 *   - no reader crashes or reads out of bounds (ASan), whatever the bytes;
 *   - a signature the verifier accepts over a message made of the input is
 *     never one it accepts over that message with a byte flipped;
 *   - what the keyring writer makes of a parsed text parses back to as many
 *     entries, with the same keys.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/key.h"

static pl_key signer;
static int ready;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pl_key k;
	char *text;

	if (!ready) {
		pl_key_generate(&signer, "fuzz");
		ready = 1;
	}
	if (size < 1)
		return 0;
	if (!(text = malloc(size)))
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	switch (data[0] % 4) {
	case 0: /* a hostile signature over a fixed message */
		pl_sshsig_verify(&k, (const char *)data + 1, size - 1, "git", "msg", 3);
		break;
	case 1: /* our signature over the input: accepted, and refused with a byte flipped */
	{
		char *sig = NULL;
		if (pl_sshsig_sign(&sig, &signer, "git", data + 1, size - 1) == 0) {
			if (pl_sshsig_verify(&k, sig, strlen(sig), "git", data + 1, size - 1) != 0 ||
			    memcmp(k.pk, signer.pk, 32))
				__builtin_trap();
			if (size > 1) {
				unsigned char *m = malloc(size - 1);
				memcpy(m, data + 1, size - 1);
				m[(size - 1) / 2] ^= 0x01;
				if (pl_sshsig_verify(&k, sig, strlen(sig), "git", m, size - 1) == 0)
					__builtin_trap();
				free(m);
			}
		}
		free(sig);
		break;
	}
	case 2:
		pl_key_parse_public(&k, text);
		break;
	case 3:
	{
		pl_keyring kr = { 0 }, kr2 = { 0 };
		if (pl_keyring_parse(&kr, (const char *)data + 1, size - 1) == 0) {
			char *out = pl_keyring_format(&kr);
			if (!out || pl_keyring_parse(&kr2, out, strlen(out)) || kr2.n != kr.n)
				__builtin_trap();
			for (size_t i = 0; i < kr.n; i++)
				if (memcmp(kr.e[i].key.pk, kr2.e[i].key.pk, 32) || strcmp(kr.e[i].node, kr2.e[i].node))
					__builtin_trap();
			free(out);
		}
		pl_keyring_clear(&kr);
		pl_keyring_clear(&kr2);
		break;
	}
	}
	free(text);
	return 0;
}
