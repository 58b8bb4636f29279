package io.litefleet.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class LtxPublisherScratchTest {
    @Test
    void take_reusesThisThreadsBuffer_emptied_andNeverTwiceAtOnce() throws IOException {
        LtxPublisher.Scratch a = LtxPublisher.Scratch.take();
        a.write(new byte[] {1, 2, 3});
        var body = a.body();
        assertEquals(3, body.length());
        assertArrayEquals(new byte[] {1, 2, 3}, body.open().readAllBytes());
        LtxPublisher.Scratch nested = LtxPublisher.Scratch.take();
        assertNotSame(a, nested, "a buffer in use is not handed out again");
        nested.giveBack();
        a.giveBack();
        LtxPublisher.Scratch again = LtxPublisher.Scratch.take();
        assertSame(a, again, "the thread's buffer is reused");
        assertEquals(0, again.size(), "and emptied");
        again.giveBack();
    }

    @Test
    void giveBack_afterALargeFile_dropsTheBuffer() {
        LtxPublisher.Scratch big = LtxPublisher.Scratch.take();
        big.write(new byte[LtxPublisher.Scratch.KEEP + 1], 0, LtxPublisher.Scratch.KEEP + 1);
        big.giveBack();
        LtxPublisher.Scratch next = LtxPublisher.Scratch.take();
        assertNotSame(big, next, "at most KEEP bytes stay pooled per thread");
        next.giveBack();
    }
}
