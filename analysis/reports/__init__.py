"""Documents for people: the finalists' comparison (workbook and PDF), the second-interview guide
(PDF, Word, Excel), and the PDF set-up both printed reports share (`analysis.reports.pdf`)."""
