package io.litefleet.core.ltx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenOrderTest {
    @Test
    void tokensMayRiseOrRepeat_aDecreaseIsStale_andZeroIsNeverJudged() {
        TokenOrder order = new TokenOrder();
        List<Long> earlier = new ArrayList<>();
        for (long token : new long[] {0, 5, 5, 0, 9, 7, 0, 9, 12, 9}) {
            earlier.add(order.next(token));
        }
        assertEquals(List.of(0L, 0L, 0L, 0L, 0L, 9L, 0L, 0L, 0L, 12L), earlier);
    }

    @Test
    void aStaleTokenDoesNotLowerTheBar() {
        TokenOrder order = new TokenOrder();
        order.next(9);
        assertEquals(9, order.next(3));
        assertEquals(9, order.next(4), "still below the highest seen, not just below the previous file");
    }
}
