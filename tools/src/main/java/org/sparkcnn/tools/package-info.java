/** Tools around the job that the job jar does not carry: the DL4J model bridge (export, the equality proof), the
 *  scaling report, and the {@code export} subcommand. */
package org.sparkcnn.tools;
