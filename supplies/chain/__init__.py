"""F2, supply-chain matching for work resumption (产业链复工复产协同协作): an enterprise's need
for an upstream part from another region, routed to the liaison office of the supplier's city."""
