// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * bench_args - the command line of ctxbench and membench (see
 * bench_args.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_args.h"

int parse_phases(const char *arg, const struct bench_phase *table, size_t n,
		 unsigned int *phases)
{
	char buf[128], *tok, *save;
	unsigned int all = 0;
	size_t i;

	for (i = 0; i < n; i++)
		all |= table[i].bit;
	snprintf(buf, sizeof(buf), "%s", arg);
	*phases = 0;
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < n && strcmp(tok, table[i].name); i++)
			;
		if (i < n)
			*phases |= table[i].bit;
		else if (!strcmp(tok, "all"))
			*phases |= all;
		else
			return -1;
	}
	return *phases ? 0 : -1;
}

int parse_uint(const char *arg, unsigned int min, unsigned int max,
	       unsigned int *v)
{
	char *end;

	*v = strtoul(arg, &end, 10);
	return *end || *v < min || *v > max ? -1 : 0;
}

int parse_scale(const char *arg, double *scale)
{
	char *end;

	*scale = strtod(arg, &end);
	return *end || *scale <= 0 || *scale > 1000 ? -1 : 0;
}

int parse_counts(const char *arg, unsigned long max, unsigned int *v,
		 unsigned int cap, unsigned int *n)
{
	char buf[256], *tok, *save, *end;
	unsigned long x;

	snprintf(buf, sizeof(buf), "%s", arg);
	*n = 0;
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		x = strtoul(tok, &end, 10);
		if (*end || x > max || *n == cap || (*n && x <= v[*n - 1]))
			return -1;
		v[(*n)++] = x;
	}
	return *n ? 0 : -1;
}

void parse_cmdline(int argc, char **argv, const struct bench_cli *cli)
{
	int opt, bad = 0;

	while (!bad && (opt = getopt(argc, argv, cli->optstring)) != -1) {
		switch (opt) {
		case 'h':
			cli->usage(stdout);
			exit(0);
		case 't':
			bad = parse_phases(optarg, cli->phases, cli->n_phases,
					   cli->phase_set);
			break;
		case 'n':
			bad = parse_counts(optarg, cli->count_max, cli->counts,
					   cli->counts_cap, cli->n_counts) ||
			      (cli->counts[0] == 0) != cli->from_zero;
			break;
		case 's':
			bad = parse_scale(optarg, cli->scale);
			break;
		default:
			bad = cli->opt(opt, optarg, cli->bench);
		}
	}
	if (bad || optind != argc) {
		cli->usage(stderr);
		exit(2);
	}
}
