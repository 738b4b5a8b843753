/** Payload codecs and the registry mapping logical type names to classes. */
@NullMarked
package dev.switchboard.messaging.codec;

import org.jspecify.annotations.NullMarked;
