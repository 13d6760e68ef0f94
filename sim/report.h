/* Reports of one run: Markdown for people, JSON for tools, an SVG timeline
 * for people who would rather look than read. Each is a pure function of
 * the run record, so the same run gives byte-identical files. */
#ifndef RINGCA_SIM_REPORT_H
#define RINGCA_SIM_REPORT_H
#include <stdio.h>

#include "record.h"

void rc_report_markdown(const struct rc_record *r, FILE *f);
void rc_report_json(const struct rc_record *r, FILE *f);
void rc_report_svg(const struct rc_record *r, FILE *f);

/* Writes path by its extension (.md, .json, .svg) atomically. Returns 0,
 * RC_EINVAL for an unknown extension or RC_EIO with errno-style detail in
 * err. */
int rc_report_write(const struct rc_record *r, const char *path, char *err,
                    size_t errlen);

#endif
