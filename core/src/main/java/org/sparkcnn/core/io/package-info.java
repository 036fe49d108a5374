/** Reading and writing models: the versioned, checksummed binary model file (spec text plus the flat float32
 *  parameter vector). No Java serialization. */
package org.sparkcnn.core.io;
