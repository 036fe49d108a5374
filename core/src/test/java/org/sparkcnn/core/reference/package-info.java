/** A small, naive double-precision reference network (plain loops, no ND4J) for the float production kernels: the
 *  central-difference gradient checks run on it, and the float network is compared with it on the same weights. */
package org.sparkcnn.core.reference;
