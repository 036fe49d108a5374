/** The distribution only: the driver's round loop (broadcast → local SGD on workers → weighted average),
 *  distributed evaluation, Kryo registration. The math lives in {@code org.sparkcnn.core}. */
package org.sparkcnn.spark;
