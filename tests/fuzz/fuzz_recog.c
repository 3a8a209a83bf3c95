/*
 * fuzz_recog.c: libFuzzer entry point for recognition: any bytes as a
 * message go through mime_parse() and recog_classify(), as every new
 * message does in main.c; as text, through the reply cutter and what
 * a reply to a confirmation says (answer.c). Built and run by `make fuzz`.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "answer.h"
#include "mime.h"
#include "recog.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mime_limits	 lim;
	struct msg		 m;
	struct recog		 r;
	char			*t, *nt;

	mime_limits_default(&lim);
	if (mime_parse((const char *)data, size, &lim, &m) == 0) {
		recog_classify(&m, "flerefaglaerte@slagelse.dk", 200, &r);
		recog_clear(&r);
		msg_clear(&m);
	}
	t = malloc(size + 1);
	if (t != NULL) {
		for (size_t i = 0; i < size; i++)
			t[i] = data[i] ? (char)data[i] : ' ';
		t[size] = '\0';
		nt = recog_new_text_dup(t);
		(void)answer_classify(nt, "leave", NULL);
		(void)answer_classify(t, NULL, NULL);
		(void)answer_is_question(nt);
		free(nt);
		free(recog_subject_strip_dup(t));
		free(t);
	}
	return 0;
}
