package endpoint

import (
	"math/rand/v2"

	"github.com/gensctp/gensctp/association"
)

func assocCfg() association.Config {
	return association.Config{Rand: rand.NewPCG(1, 2)}
}
