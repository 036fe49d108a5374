/** Scaling experiments: reads the run directories of a scripts/scaling.sh sweep and writes scaling.csv, the
 *  plots (XChart), a communication-model projection and report.md. */
package org.sparkcnn.tools.report;
