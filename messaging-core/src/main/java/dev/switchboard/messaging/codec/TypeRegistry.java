package dev.switchboard.messaging.codec;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The explicit mapping between logical type names on the wire and Java classes. Immutable once
 * built; only registered classes are ever instantiated from a message, which is what keeps decoding
 * safe from a sender choosing arbitrary classes.
 */
public final class TypeRegistry {
  private final Map<String, Class<?>> byName;
  private final Map<Class<?>, String> byClass;

  private TypeRegistry(Map<String, Class<?>> byName, Map<Class<?>, String> byClass) {
    this.byName = Map.copyOf(byName);
    this.byClass = Map.copyOf(byClass);
  }

  public static Builder builder() {
    return new Builder();
  }

  public static TypeRegistry empty() {
    return builder().build();
  }

  /** The class registered under {@code name}. */
  public Optional<Class<?>> classOf(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** The name registered for exactly {@code type}. */
  public Optional<String> nameOf(Class<?> type) {
    return Optional.ofNullable(byClass.get(type));
  }

  /** Every registered name and its class. */
  public Map<String, Class<?>> entries() {
    return byName;
  }

  /** Collects registrations; rejects a name or a class registered twice. */
  public static final class Builder {
    private final Map<String, Class<?>> byName = new HashMap<>();
    private final Map<Class<?>, String> byClass = new HashMap<>();

    private Builder() {}

    public Builder register(String name, Class<?> type) {
      Objects.requireNonNull(type, "type");
      if (Objects.requireNonNull(name, "name").isEmpty()) {
        throw new IllegalArgumentException("type name must not be empty for " + type.getName());
      }
      Class<?> previous = byName.get(name);
      if (previous != null && previous != type) {
        throw new IllegalArgumentException(
            "type name '"
                + name
                + "' is already registered for "
                + previous.getName()
                + "; cannot also register "
                + type.getName());
      }
      String previousName = byClass.get(type);
      if (previousName != null && !previousName.equals(name)) {
        throw new IllegalArgumentException(
            type.getName()
                + " is already registered as '"
                + previousName
                + "'; cannot also register it as '"
                + name
                + "'");
      }
      byName.put(name, type);
      byClass.put(type, name);
      return this;
    }

    /** Adds every registration of {@code other}. */
    public Builder registerAll(TypeRegistry other) {
      other.byName.forEach(this::register);
      return this;
    }

    public TypeRegistry build() {
      return new TypeRegistry(byName, byClass);
    }
  }
}
