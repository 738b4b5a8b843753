package dev.switchboard.testkit.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.concurrent.TimeUnit;

/**
 * Entry point of the broker JVM: runs {@code kafka.Kafka} and stops it when the JVM that started it
 * goes away.
 *
 * <p>The parent keeps the write end of this process's standard input open and never writes to it.
 * End of input therefore means the parent has exited, however it exited; the broker then shuts down
 * as on SIGTERM, and is halted if that takes too long. Kafka is called reflectively because its
 * classes exist only on the broker JVM's class path, not on the testkit's.
 */
final class BrokerMain {
  private static final long HALT_AFTER_SECONDS = 20;

  private BrokerMain() {}

  public static void main(String[] args) throws Throwable {
    Thread watchdog = new Thread(BrokerMain::exitWhenParentGone, "parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    Method main = Class.forName("kafka.Kafka").getMethod("main", String[].class);
    try {
      main.invoke(null, (Object) args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private static void exitWhenParentGone() {
    InputStream in = System.in;
    try {
      while (in.read() >= 0) {
        // The parent never writes; anything read is ignored.
      }
    } catch (IOException e) {
      // A broken pipe means the same as end of input.
    }
    System.err.println("[switchboard-testkit] parent JVM is gone; stopping the broker");
    Thread halter =
        new Thread(
            () -> {
              try {
                TimeUnit.SECONDS.sleep(HALT_AFTER_SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              Runtime.getRuntime().halt(3);
            },
            "halt-timer");
    halter.setDaemon(true);
    halter.start();
    System.exit(0);
  }
}
