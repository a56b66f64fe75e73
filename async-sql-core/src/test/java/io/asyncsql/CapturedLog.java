package io.asyncsql;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * What is logged while a test runs: slf4j-simple, the tests' logger, writes to whatever
 * {@code System.err} is at the time, so this puts a stream there that keeps a copy and
 * still passes everything on. Core cannot use Spring Boot's
 * {@code OutputCaptureExtension}, which the starter's tests use.
 */
final class CapturedLog implements AutoCloseable {

	private final PrintStream original = System.err;

	private final ByteArrayOutputStream copy = new ByteArrayOutputStream();

	CapturedLog() {
		OutputStream both = new OutputStream() {

			@Override
			public void write(int b) {
				synchronized (CapturedLog.this.copy) {
					CapturedLog.this.copy.write(b);
				}
				CapturedLog.this.original.write(b);
			}

			@Override
			public void write(byte[] bytes, int offset, int length) {
				synchronized (CapturedLog.this.copy) {
					CapturedLog.this.copy.write(bytes, offset, length);
				}
				CapturedLog.this.original.write(bytes, offset, length);
			}

			@Override
			public void flush() {
				CapturedLog.this.original.flush();
			}

		};
		System.setErr(new PrintStream(both, true, StandardCharsets.UTF_8));
	}

	@Override
	public String toString() {
		synchronized (this.copy) {
			return this.copy.toString(StandardCharsets.UTF_8);
		}
	}

	@Override
	public void close() {
		System.setErr(this.original);
	}

}
