/*
 * fuzz_members.c: libFuzzer entry point for the secretariat's member
 * import (daemon/members.c, members_csv_parse): any bytes as the CSV
 * file that `ffnet member import` reads, in any of the shapes Excel,
 * LibreOffice and Google Sheets write. Built and run by `make fuzz`.
 */
#include <stddef.h>
#include <stdint.h>

#include "members.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct members_file	 f;
	char			 err[256];

	if (members_csv_parse((const char *)data, size, &f, err,
	    sizeof(err)) == 0)
		members_file_clear(&f);
	return 0;
}
