"""Documents for people: the finalists' comparison workbook and the second-interview guide."""
